<?xml version="1.0" encoding="UTF-8"?>
<!-- Hand-written CityGML 2.0 test file (AdV profile style) for tests/layers/test_buildings.py.
     BLDG_A: one building, LoD2, GroundSurface 10 m x 12 m at z 30, measuredHeight 9.5, 3 storeys,
             function 31001_1010 (Wohnhaus).
     BLDG_B: function 31001_1120 and 4 storeys on the Building, two BuildingParts:
             BLDG_B_1: LoD2 solid referencing its surfaces by xlink:href, GroundSurface 8 m x 8 m at z 31,
                       measuredHeight 12.0;
             BLDG_B_2: only an inline LoD1 box solid 6 m x 8 m from z 31 to z 37, no measuredHeight. -->
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0"
    xmlns:bldg="http://www.opengis.net/citygml/building/2.0"
    xmlns:gml="http://www.opengis.net/gml"
    xmlns:xlink="http://www.w3.org/1999/xlink">
  <gml:name>tiny test tile</gml:name>
  <gml:boundedBy>
    <gml:Envelope srsName="urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH" srsDimension="3">
      <gml:lowerCorner>566000 5935000 30</gml:lowerCorner>
      <gml:upperCorner>566046 5935020 43</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <core:cityObjectMember>
    <bldg:Building gml:id="BLDG_A">
      <bldg:function>31001_1010</bldg:function>
      <bldg:roofType>1000</bldg:roofType>
      <bldg:measuredHeight uom="urn:adv:uom:m">9.5</bldg:measuredHeight>
      <bldg:storeysAboveGround>3</bldg:storeysAboveGround>
      <bldg:boundedBy>
        <bldg:GroundSurface gml:id="A_ground">
          <bldg:lod2MultiSurface>
            <gml:MultiSurface>
              <gml:surfaceMember>
                <gml:Polygon gml:id="A_ground_poly">
                  <gml:exterior>
                    <gml:LinearRing>
                      <gml:posList srsDimension="3">566000 5935000 30 566000 5935012 30 566010 5935012 30 566010 5935000 30 566000 5935000 30</gml:posList>
                    </gml:LinearRing>
                  </gml:exterior>
                </gml:Polygon>
              </gml:surfaceMember>
            </gml:MultiSurface>
          </bldg:lod2MultiSurface>
        </bldg:GroundSurface>
      </bldg:boundedBy>
      <bldg:boundedBy>
        <bldg:RoofSurface gml:id="A_roof">
          <bldg:lod2MultiSurface>
            <gml:MultiSurface>
              <gml:surfaceMember>
                <gml:Polygon gml:id="A_roof_poly">
                  <gml:exterior>
                    <gml:LinearRing>
                      <gml:posList srsDimension="3">566000 5935000 39.5 566010 5935000 39.5 566010 5935012 39.5 566000 5935012 39.5 566000 5935000 39.5</gml:posList>
                    </gml:LinearRing>
                  </gml:exterior>
                </gml:Polygon>
              </gml:surfaceMember>
            </gml:MultiSurface>
          </bldg:lod2MultiSurface>
        </bldg:RoofSurface>
      </bldg:boundedBy>
    </bldg:Building>
  </core:cityObjectMember>
  <core:cityObjectMember>
    <bldg:Building gml:id="BLDG_B">
      <bldg:function>31001_1120</bldg:function>
      <bldg:storeysAboveGround>4</bldg:storeysAboveGround>
      <bldg:consistsOfBuildingPart>
        <bldg:BuildingPart gml:id="BLDG_B_1">
          <bldg:measuredHeight uom="urn:adv:uom:m">12.0</bldg:measuredHeight>
          <bldg:lod2Solid>
            <gml:Solid>
              <gml:exterior>
                <gml:CompositeSurface>
                  <gml:surfaceMember xlink:href="#B1_ground_poly"/>
                  <gml:surfaceMember xlink:href="#B1_roof_poly"/>
                </gml:CompositeSurface>
              </gml:exterior>
            </gml:Solid>
          </bldg:lod2Solid>
          <bldg:boundedBy>
            <bldg:GroundSurface>
              <bldg:lod2MultiSurface>
                <gml:MultiSurface>
                  <gml:surfaceMember>
                    <gml:Polygon gml:id="B1_ground_poly">
                      <gml:exterior>
                        <gml:LinearRing>
                          <gml:pos srsDimension="3">566020 5935000 31</gml:pos>
                          <gml:pos srsDimension="3">566020 5935008 31</gml:pos>
                          <gml:pos srsDimension="3">566028 5935008 31</gml:pos>
                          <gml:pos srsDimension="3">566028 5935000 31</gml:pos>
                          <gml:pos srsDimension="3">566020 5935000 31</gml:pos>
                        </gml:LinearRing>
                      </gml:exterior>
                    </gml:Polygon>
                  </gml:surfaceMember>
                </gml:MultiSurface>
              </bldg:lod2MultiSurface>
            </bldg:GroundSurface>
          </bldg:boundedBy>
          <bldg:boundedBy>
            <bldg:RoofSurface>
              <bldg:lod2MultiSurface>
                <gml:MultiSurface>
                  <gml:surfaceMember>
                    <gml:Polygon gml:id="B1_roof_poly">
                      <gml:exterior>
                        <gml:LinearRing>
                          <gml:posList srsDimension="3">566020 5935000 43 566028 5935000 43 566028 5935008 43 566020 5935008 43 566020 5935000 43</gml:posList>
                        </gml:LinearRing>
                      </gml:exterior>
                    </gml:Polygon>
                  </gml:surfaceMember>
                </gml:MultiSurface>
              </bldg:lod2MultiSurface>
            </bldg:RoofSurface>
          </bldg:boundedBy>
        </bldg:BuildingPart>
      </bldg:consistsOfBuildingPart>
      <bldg:consistsOfBuildingPart>
        <bldg:BuildingPart gml:id="BLDG_B_2">
          <bldg:lod1Solid>
            <gml:Solid>
              <gml:exterior>
                <gml:CompositeSurface>
                  <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">566028 5935000 31 566028 5935008 31 566034 5935008 31 566034 5935000 31 566028 5935000 31</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
                  <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">566028 5935000 37 566034 5935000 37 566034 5935008 37 566028 5935008 37 566028 5935000 37</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
                  <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">566028 5935000 31 566034 5935000 31 566034 5935000 37 566028 5935000 37 566028 5935000 31</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
                  <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">566034 5935000 31 566034 5935008 31 566034 5935008 37 566034 5935000 37 566034 5935000 31</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
                  <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">566034 5935008 31 566028 5935008 31 566028 5935008 37 566034 5935008 37 566034 5935008 31</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
                  <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">566028 5935008 31 566028 5935000 31 566028 5935000 37 566028 5935008 37 566028 5935008 31</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
                </gml:CompositeSurface>
              </gml:exterior>
            </gml:Solid>
          </bldg:lod1Solid>
        </bldg:BuildingPart>
      </bldg:consistsOfBuildingPart>
    </bldg:Building>
  </core:cityObjectMember>
</core:CityModel>
