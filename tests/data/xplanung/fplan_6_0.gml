<?xml version="1.0" encoding="UTF-8"?>
<!-- Test data for layers/xplanung.py: a small, invented Flaechennutzungsplan in XPlanGML 6.0.
     Areas: W (allgArt only, GFZmin 0.4 / GFZmax 0.8) 20000 m2, GE (GFZ 1.6, BMZ 6.0, GRZ 0.8)
     20000 m2, SO-Erholung 10000 m2, green 10000 m2, forest 10000 m2, agriculture 10000 m2,
     water 4000 m2, traffic 4000 m2; a playground drawn as a point (FP_Gruen) is not an area. -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.xplanung.de/xplangml/6/0 http://repository.gdi-de.org/schemas/de.xleitstelle.xplanung/6.0/XPlanung-Operationen.xsd"
    gml:id="GML_auszug_f60">
  <gml:boundedBy>
    <gml:Envelope srsName="EPSG:25832">
      <gml:lowerCorner>632700 5496390</gml:lowerCorner>
      <gml:upperCorner>633100 5496610</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <xplan:FP_Plan gml:id="GML_f60_plan">
      <xplan:name>Flächennutzungsplan Testdorf</xplan:name>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon gml:id="GML_f60_plan_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632700 5496390 633100 5496390 633100 5496610 632700 5496610 632700 5496390</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde>
        <xplan:XP_Gemeinde>
          <xplan:ags>09999999</xplan:ags>
          <xplan:gemeindeName>Musterstadt</xplan:gemeindeName>
        </xplan:XP_Gemeinde>
      </xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:bereich xlink:href="#GML_f60_bereich"/>
    </xplan:FP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_Bereich gml:id="GML_f60_bereich">
      <xplan:nummer>0</xplan:nummer>
      <xplan:planinhalt xlink:href="#GML_f60_w"/>
      <xplan:planinhalt xlink:href="#GML_f60_ge"/>
      <xplan:planinhalt xlink:href="#GML_f60_so"/>
      <xplan:planinhalt xlink:href="#GML_f60_gruen"/>
      <xplan:planinhalt xlink:href="#GML_f60_spielplatz"/>
      <xplan:planinhalt xlink:href="#GML_f60_wald"/>
      <xplan:planinhalt xlink:href="#GML_f60_acker"/>
      <xplan:planinhalt xlink:href="#GML_f60_bach"/>
      <xplan:planinhalt xlink:href="#GML_f60_strasse"/>
      <xplan:gehoertZuPlan xlink:href="#GML_f60_plan"/>
    </xplan:FP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_BebauungsFlaeche gml:id="GML_f60_w">
      <xplan:gehoertZuBereich xlink:href="#GML_f60_bereich"/>
      <xplan:rechtscharakter>3000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_f60_w_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632700 5496400 632800 5496400 632900 5496400 632900 5496500 632800 5496500 632700 5496500 632700 5496400</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GFZmin>0.4</xplan:GFZmin>
      <xplan:GFZmax>0.8</xplan:GFZmax>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
    </xplan:FP_BebauungsFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_BebauungsFlaeche gml:id="GML_f60_ge">
      <xplan:gehoertZuBereich xlink:href="#GML_f60_bereich"/>
      <xplan:rechtscharakter>3000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_f60_ge_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632900 5496400 633000 5496400 633100 5496400 633100 5496500 633000 5496500 632900 5496500 632900 5496400</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GFZ>1.6</xplan:GFZ>
      <xplan:BMZ>6.0</xplan:BMZ>
      <xplan:GRZ>0.8</xplan:GRZ>
      <xplan:allgArtDerBaulNutzung>3000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1700</xplan:besondereArtDerBaulNutzung>
    </xplan:FP_BebauungsFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_BebauungsFlaeche gml:id="GML_f60_so">
      <xplan:gehoertZuBereich xlink:href="#GML_f60_bereich"/>
      <xplan:rechtscharakter>3000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_f60_so_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632700 5496500 632800 5496500 632800 5496600 632700 5496600 632700 5496500</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:allgArtDerBaulNutzung>4000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>2000</xplan:besondereArtDerBaulNutzung>
    </xplan:FP_BebauungsFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_Gruen gml:id="GML_f60_gruen">
      <xplan:gehoertZuBereich xlink:href="#GML_f60_bereich"/>
      <xplan:rechtscharakter>3000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_f60_gruen_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632800 5496500 632900 5496500 632900 5496600 632800 5496600 632800 5496500</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:zweckbestimmung>
        <xplan:FP_KomplexeZweckbestGruen>
          <xplan:allgemein>1000</xplan:allgemein>
        </xplan:FP_KomplexeZweckbestGruen>
      </xplan:zweckbestimmung>
    </xplan:FP_Gruen>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_Gruen gml:id="GML_f60_spielplatz">
      <xplan:gehoertZuBereich xlink:href="#GML_f60_bereich"/>
      <xplan:rechtscharakter>3000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Point gml:id="GML_f60_spielplatz_geom" srsName="EPSG:25832">
          <gml:pos>632850 5496550</gml:pos>
        </gml:Point>
      </xplan:position>
      <xplan:flaechenschluss>false</xplan:flaechenschluss>
      <xplan:zweckbestimmung>
        <xplan:FP_KomplexeZweckbestGruen>
          <xplan:allgemein>1600</xplan:allgemein>
        </xplan:FP_KomplexeZweckbestGruen>
      </xplan:zweckbestimmung>
    </xplan:FP_Gruen>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_WaldFlaeche gml:id="GML_f60_wald">
      <xplan:gehoertZuBereich xlink:href="#GML_f60_bereich"/>
      <xplan:rechtscharakter>3000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_f60_wald_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632900 5496500 633000 5496500 633000 5496600 632900 5496600 632900 5496500</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
    </xplan:FP_WaldFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_Landwirtschaft gml:id="GML_f60_acker">
      <xplan:gehoertZuBereich xlink:href="#GML_f60_bereich"/>
      <xplan:rechtscharakter>3000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_f60_acker_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633000 5496500 633100 5496500 633100 5496600 633000 5496600 633000 5496500</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
    </xplan:FP_Landwirtschaft>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:SO_Gewaesser gml:id="GML_f60_bach">
      <xplan:gehoertZuBereich xlink:href="#GML_f60_bereich"/>
      <xplan:rechtscharakter>2000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_f60_bach_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632700 5496600 632800 5496600 632900 5496600 633000 5496600 633100 5496600 633100 5496610 632700 5496610 632700 5496600</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
    </xplan:SO_Gewaesser>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:SO_Strassenverkehr gml:id="GML_f60_strasse">
      <xplan:gehoertZuBereich xlink:href="#GML_f60_bereich"/>
      <xplan:rechtscharakter>3000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_f60_strasse_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632700 5496390 633100 5496390 633100 5496400 632900 5496400 632700 5496400 632700 5496390</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:hatDarstellungMitBesondZweckbest>false</xplan:hatDarstellungMitBesondZweckbest>
    </xplan:SO_Strassenverkehr>
  </gml:featureMember>
</xplan:XPlanAuszug>
